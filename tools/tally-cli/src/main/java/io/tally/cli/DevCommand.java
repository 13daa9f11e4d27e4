package io.tally.cli;

import io.tally.localruntime.LocalStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally dev}: the whole pipeline on fixed localhost ports until Ctrl-C, like {@code temporal server start-dev}.
 * Known gap: the broker keeps its data in {@code --data-dir}, but the registry keeps schemas in memory only, so a
 * restarted stack re-registers them (ids may change; records written before stay readable only by that run).
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = "Starts Kafka (localhost:9092), the schema registry (localhost:8081) and every Tally service on"
                + " fixed ports (8080, 8082-8088) with offline adapters, and keeps them running until Ctrl-C.")
public class DevCommand implements Callable<Integer> {

    static final int BROKER_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final int REGISTRY_PORT = 8081;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.tally/dev",
            description = "Broker data, streams state, playlists and notifications (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--startup-timeout", defaultValue = "180s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up when the stack is not up after this long (default: ${DEFAULT-VALUE}).")
    Duration startupTimeout;

    @Option(names = "--verbose", description = "Also show the services', broker's and registry's logs here.")
    boolean verbose;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(dataDir);
        // A fresh broker log per start: a KRaft log dir remembers its cluster, and the registry forgets its schemas.
        Path run = Files.createTempDirectory(dataDir, "run-");
        CountDownLatch stopped = new CountDownLatch(1);
        Path logDir = StackLogging.start(dataDir.toAbsolutePath().resolve("logs"), verbose);
        out.println("Starting the Tally dev stack in " + dataDir + " ...");
        out.println("  " + StackLogging.describe(logDir));
        out.flush();
        try (LocalStack stack = LocalStack.startInfrastructure(new LocalStack.Settings(run, BROKER_PORT, CONTROLLER_PORT,
                REGISTRY_PORT, startupTimeout, line -> { out.println(line); out.flush(); }, logDir))) {
            stack.startServices(PipelineServices.offline(dataDir.toAbsolutePath(), true, Map.of()));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long stopStart = System.nanoTime();
                stopped.countDown();
                out.println("Stopping the services, then the registry and the broker...");
                out.flush();
                // The stack's own hook may be doing the same; close() waits for it, services before the broker.
                stack.close();
                LocalStack.deleteRecursively(run);
                out.println(String.format(Locale.ROOT, "Stopped in %.1f s.", (System.nanoTime() - stopStart) / 1e9));
                out.flush();
            }, "tally-dev-stop"));
            out.println();
            out.println("Tally is running. Ctrl-C stops it.");
            out.println(String.format(Locale.ROOT, "  %-22s %s", "Kafka bootstrap", stack.bootstrapServers()));
            out.println(String.format(Locale.ROOT, "  %-22s %s  (Confluent API: %s)", "Schema registry",
                    stack.registryUrl(), stack.registry().ccompatUrl()));
            for (String service : new String[] {PipelineServices.TRACKER, PipelineServices.SCHEDULER,
                    PipelineServices.SCRAPER, PipelineServices.PROCESSOR, PipelineServices.SEARCH,
                    PipelineServices.PLAYLIST, PipelineServices.NOTIFY, PipelineServices.API}) {
                out.println(String.format(Locale.ROOT, "  %-22s http://localhost:%d/actuator/health", service,
                        stack.port(service)));
            }
            out.println("  Jobs API (key " + PipelineServices.LOCAL_API_KEY + "): http://localhost:"
                    + stack.port(PipelineServices.API) + "/swagger-ui.html");
            out.println("  Dashboard: http://localhost:" + stack.port(PipelineServices.API)
                    + "/ui  (sign in with API key " + PipelineServices.LOCAL_API_KEY + ", roles USER and ADMIN)");
            out.println("  Run the chart pipeline: curl -X POST -H 'X-API-Key: " + PipelineServices.LOCAL_API_KEY + "' "
                    + "http://localhost:" + stack.port(PipelineServices.API) + "/api/pipelines/beatport-chart/runs");
            out.println("  Every service's write endpoints take the same key, e.g. curl -X POST -H 'X-API-Key: "
                    + PipelineServices.LOCAL_API_KEY + "' -H 'Content-Type: application/json' -d '{\"pipeline\":\"beatport-chart\"}' "
                    + "http://localhost:" + stack.port(PipelineServices.SCHEDULER) + "/api/triggers");
            out.println("  Playlists: " + dataDir.resolve("playlists") + "   Notifications: " + dataDir.resolve("outbox"));
            out.flush();
            stopped.await();
        } catch (LocalStack.StackFailure e) {
            spec.commandLine().getErr().println("ERROR: " + e.getMessage() + " (details in " + logDir + ")");
            return 1;
        }
        return 0;
    }
}
