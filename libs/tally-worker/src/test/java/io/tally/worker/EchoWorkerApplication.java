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
 * task id so tests can tell a redelivery from a retry. A second type, {@code contract}, is never sent a request: its
 * schemas can only be in the registry because the SDK registered them at start-up.
 */
@SpringBootApplication
public class EchoWorkerApplication {

    static final String TASK_TYPE = "echo";
    static final String CONTRACT_ONLY_TYPE = "contract";
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    static int runs(String taskId) {
        AtomicInteger runs = RUNS.get(taskId);
        return runs == null ? 0 : runs.get();
    }

    @Bean
    TaskHandler<EchoInput, EchoOutput> echo() {
        return TaskHandler.of(TASK_TYPE, EchoInput.class, EchoOutput.class, (input, ctx) -> {
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

    @Bean
    TaskHandler<EchoInput, EchoOutput> contractOnly() {
        return TaskHandler.of(CONTRACT_ONLY_TYPE, EchoInput.class, EchoOutput.class,
                (input, ctx) -> new EchoOutput(input.getText(), ctx.deliveryAttempt()));
    }
}
