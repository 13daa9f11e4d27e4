package io.tally.poolworker;

import io.tally.worker.LeaderTask;
import io.tally.worker.TaskHandler;
import io.tally.worker.testtasks.EchoInput;
import io.tally.worker.testtasks.EchoOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The small worker the pool tests start as child JVMs (outside io.tally.worker, so the in-JVM tests' application does
 * not scan it): task type {@code pool} echoes its input after {@code sleepMillis}, and leader-only role
 * {@code source-scan} appends "{@code <instance> <epoch ms>}" to {@code pool-test.leader-log} every 300 ms, so the test
 * sees who led when.
 */
@SpringBootApplication
public class PoolWorkerApplication {

    /** The task type the pool serves. */
    public static final String TASK_TYPE = "pool";
    /** The leader-only role. */
    public static final String ROLE = "source-scan";

    public static void main(String[] args) {
        SpringApplication.run(PoolWorkerApplication.class, args);
    }

    @Bean
    TaskHandler<EchoInput, EchoOutput> pool() {
        return TaskHandler.of(TASK_TYPE, EchoInput.class, EchoOutput.class, (input, ctx) -> {
            if (input.getSleepMillis() > 0) {
                Thread.sleep(input.getSleepMillis());
            }
            return new EchoOutput(input.getText().toUpperCase(Locale.ROOT), ctx.deliveryAttempt());
        });
    }

    @Bean
    LeaderTask sourceScan(@Value("${pool-test.leader-log}") Path log, @Value("${tally.worker.instance-id}") String id) {
        return new LeaderTask(ROLE, Duration.ofMillis(300), () -> {
            try {
                Files.writeString(log, id + " " + System.currentTimeMillis() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
