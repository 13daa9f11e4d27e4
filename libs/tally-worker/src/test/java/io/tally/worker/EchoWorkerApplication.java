package io.tally.worker;

import io.tally.worker.testtasks.EchoInput;
import io.tally.worker.testtasks.EchoOutput;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A test worker with one task type, {@code echo}, whose input says how the handler behaves: fail the first n
 * deliveries, fail for good, work for a while (reporting progress), or have nothing to do. It counts its runs per
 * task id so tests can tell a redelivery from a retry.
 */
@SpringBootApplication
public class EchoWorkerApplication {

    static final String TASK_TYPE = "echo";
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    static int runs(String taskId) {
        AtomicInteger runs = RUNS.get(taskId);
        return runs == null ? 0 : runs.get();
    }

    @Bean
    TaskHandler<EchoInput, EchoOutput> echo() {
        return TaskHandler.of(TASK_TYPE, EchoInput.class, (input, ctx) -> {
            RUNS.computeIfAbsent(ctx.taskId(), id -> new AtomicInteger()).incrementAndGet();
            if (input.getFatal()) {
                throw new TaskFailedException("bad-input", "cannot echo '" + input.getText() + "'", false);
            }
            if (ctx.deliveryAttempt() <= input.getFailAttempts()) {
                throw new TaskFailedException("flaky", "delivery " + ctx.deliveryAttempt() + " failed", true);
            }
            if (input.getSleepMillis() > 0) {
                ctx.progress(0, input.getSleepMillis(), "working");
                Thread.sleep(input.getSleepMillis());
                ctx.progress(input.getSleepMillis(), input.getSleepMillis(), "done");
            }
            if (input.getSkip()) {
                return null;
            }
            return new EchoOutput(input.getText().toUpperCase(Locale.ROOT), ctx.deliveryAttempt());
        });
    }
}
