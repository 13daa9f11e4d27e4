package io.tally.faults.worker;

import io.tally.common.config.ServiceLauncher;
import io.tally.faults.tasks.FanElement;
import io.tally.faults.tasks.FanListInput;
import io.tally.faults.tasks.FanListOutput;
import io.tally.faults.tasks.FanPart;
import io.tally.faults.tasks.FanSideInput;
import io.tally.faults.tasks.FanSideOutput;
import io.tally.faults.tasks.FanSumInput;
import io.tally.faults.tasks.FanSumOutput;
import io.tally.faults.tasks.FanWorkInput;
import io.tally.faults.tasks.FanWorkOutput;
import io.tally.worker.TaskHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The workers of the fault suite's declared pipeline ({@code pipelines/fan-join.yml} in the test resources), written
 * only with libs/tally-worker: {@code fan-list} makes a list, {@code fan-work} squares one element (after
 * {@code fan.work-millis} of work), {@code fan-side} makes a label, {@code fan-sum} joins them. It runs in-process
 * ({@code FanJoinPipelineTest}) or as a child JVM ({@code FanJoinCrashFaultTest}, through {@link #main}).
 * In-process, {@link #runs} counts the handler's runs per stage and job, so a test can tell how often a task ran.
 */
@SpringBootApplication
public class FanWorkerApplication {

    /** Configuration file of this worker: {@code classpath:fan-worker.yml}. */
    public static final String CONFIG_NAME = "fan-worker";

    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    public static void main(String[] args) {
        ServiceLauncher.run(FanWorkerApplication.class, CONFIG_NAME, args);
    }

    /** How often this JVM ran a task of {@code stage} for {@code jobId}. */
    public static int runs(String jobId, String stage) {
        AtomicInteger runs = RUNS.get(jobId + "/" + stage);
        return runs == null ? 0 : runs.get();
    }

    private static void ran(String jobId, String stage) {
        RUNS.computeIfAbsent(jobId + "/" + stage, key -> new AtomicInteger()).incrementAndGet();
    }

    @Bean
    TaskHandler<FanListInput, FanListOutput> fanList() {
        return TaskHandler.of("fan-list", FanListInput.class, FanListOutput.class, (input, ctx) -> {
            ran(ctx.jobId(), ctx.stage());
            List<FanElement> elements = new ArrayList<>(input.getCount());
            for (int i = 0; i < input.getCount(); i++) {
                elements.add(new FanElement(key(i), (long) i));
            }
            return new FanListOutput(elements);
        });
    }

    @Bean
    TaskHandler<FanWorkInput, FanWorkOutput> fanWork(@Value("${fan.work-millis:0}") long workMillis) {
        return TaskHandler.of("fan-work", FanWorkInput.class, FanWorkOutput.class, (input, ctx) -> {
            ran(ctx.jobId(), ctx.stage());
            if (workMillis > 0) {
                // Stands for real work, so a kill can land while tasks are running.
                Thread.sleep(workMillis);
            }
            return new FanWorkOutput(input.getKey(), input.getValue() * input.getValue());
        });
    }

    @Bean
    TaskHandler<FanSideInput, FanSideOutput> fanSide() {
        return TaskHandler.of("fan-side", FanSideInput.class, FanSideOutput.class, (input, ctx) -> {
            ran(ctx.jobId(), ctx.stage());
            return new FanSideOutput("side-of-" + input.getJob());
        });
    }

    @Bean
    TaskHandler<FanSumInput, FanSumOutput> fanSum() {
        return TaskHandler.of("fan-sum", FanSumInput.class, FanSumOutput.class, (input, ctx) -> {
            ran(ctx.jobId(), ctx.stage());
            long total = input.getParts().stream().mapToLong(FanPart::getSquare).sum();
            return new FanSumOutput(input.getParts().size(), total, input.getSide().getLabel());
        });
    }

    /** The key of the element at {@code index}: the fan-out's item id. */
    public static String key(int index) {
        return "e%04d".formatted(index);
    }
}
