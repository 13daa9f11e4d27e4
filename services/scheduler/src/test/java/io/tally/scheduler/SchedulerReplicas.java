package io.tally.scheduler;

import io.tally.localruntime.SchemaRegistryProcess;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/** Test helper: starts one scheduler replica in this JVM on the test broker and registry, for multi-replica tests. */
public final class SchedulerReplicas {

    private SchedulerReplicas() {
    }

    /**
     * Starts a replica with its own {@code group.instance.id}, a random port, a 200 ms tick and a 30 s grace.
     *
     * @param clock if not null, replaces the scheduler's clock
     * @param extra further arguments ({@code --key=value})
     */
    public static ConfigurableApplicationContext start(EmbeddedKafkaBroker broker, String instance, Clock clock,
            List<String> extra) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(SchedulerApplication.class);
        if (clock != null) {
            builder.initializers(context -> context.getBeanFactory().registerSingleton("testClock", clock));
        }
        List<String> args = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--tally.kafka.registry-url=" + SchemaRegistryProcess.shared().registryV2Url(),
                "--server.port=0",
                "--spring.kafka.consumer.properties.group.instance.id=" + instance,
                "--tally.scheduler.tick=200ms",
                "--tally.scheduler.grace=30s"));
        args.addAll(extra);
        return builder.run(args.toArray(String[]::new));
    }
}
