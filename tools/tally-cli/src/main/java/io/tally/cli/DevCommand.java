package io.tally.cli;

import io.tally.localruntime.LocalStack;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally dev}: the whole pipeline on fixed localhost ports until Ctrl-C, like {@code temporal server start-dev}.
 * State lasts in the data dir (broker log, registry schemas in an H2 file, Streams state, playlists, outbox), so a
 * restart continues where the last run stopped; {@code --config} chooses adapters and settings per service (ADR 0014).
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = "Starts Kafka (localhost:9092), the schema registry (localhost:8081) and every Tally service on"
                + " fixed ports (8080, 8082-8088), with the offline adapters unless --config chooses others, and keeps"
                + " them running until Ctrl-C. State lasts in the data dir across restarts.")
public class DevCommand implements Callable<Integer> {

    static final int BROKER_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final int REGISTRY_PORT = 8081;
    /** What {@code --fresh} deletes in the data dir: everything the stack writes there. */
    static final List<String> STATE_DIRS = List.of("kafka", "registry", "streams", "playlists", "outbox", "logs");

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:TALLY_CONFIG}",
            description = "The stack's configuration: adapters and settings per service, data dir, ports (see"
                    + " tally.example.yml; default: $TALLY_CONFIG, else the offline adapters).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Broker log, registry schemas, streams state, playlists and notifications; kept across"
                    + " restarts (default: the config file's dataDir, else ~/.tally/dev).")
    Path dataDir;

    @Option(names = "--fresh", description = "Delete the data dir's state first and start empty (asks to confirm).")
    boolean fresh;

    @Option(names = "--yes", description = "With --fresh: do not ask (for scripts).")
    boolean yes;

    @Option(names = "--startup-timeout", defaultValue = "180s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up when the stack is not up after this long (default: ${DEFAULT-VALUE}).")
    Duration startupTimeout;

    @Option(names = "--verbose", description = "Also show the services', broker's and registry's logs here.")
    boolean verbose;

    /** Environment lookup for {@code ${env:NAME}} references; tests replace it. */
    UnaryOperator<String> environment = System::getenv;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DevConfig settings;
        try {
            settings = config == null ? DevConfig.defaults() : DevConfig.load(config, environment);
        } catch (DevConfig.Invalid invalid) {
            invalid.problems().forEach(problem -> err.println("ERROR: " + config + ": " + problem));
            err.flush();
            return 2;
        }
        Path dataDir = (this.dataDir != null ? this.dataDir
                : settings.dataDir() != null ? settings.dataDir()
                : Path.of(System.getProperty("user.home"), ".tally", "dev")).toAbsolutePath();
        if (fresh && !confirmFresh(dataDir, out, err)) {
            return 2;
        }
        Files.createDirectories(dataDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Path logDir = StackLogging.start(dataDir.resolve("logs"), verbose);
        out.println("Starting the Tally dev stack in " + dataDir + " ...");
        out.println("  " + StackLogging.describe(logDir));
        if (config != null) {
            out.println("  Config: " + config + " (" + settings.summary() + ")");
        }
        out.flush();
        try (LocalStack stack = LocalStack.startInfrastructure(new LocalStack.Settings(dataDir,
                settings.port(DevConfig.KAFKA_PORT, BROKER_PORT), settings.port(DevConfig.CONTROLLER_PORT, CONTROLLER_PORT),
                settings.port(DevConfig.REGISTRY_PORT, REGISTRY_PORT), startupTimeout,
                line -> { out.println(line); out.flush(); }, logDir, true))) {
            List<LocalStack.Service> services = PipelineServices.everyPipeline(dataDir, settings);
            stack.startServices(services);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long stopStart = System.nanoTime();
                stopped.countDown();
                out.println("Stopping the services, then the registry and the broker...");
                out.flush();
                // The stack's own hook may be doing the same; close() waits for it, services before the broker.
                stack.close();
                out.println(String.format(Locale.ROOT, "Stopped in %.1f s.", (System.nanoTime() - stopStart) / 1e9));
                out.flush();
            }, "tally-dev-stop"));
            out.println();
            out.println("Tally is running. Ctrl-C stops it.");
            out.println(String.format(Locale.ROOT, "  %-22s %s", "Kafka bootstrap", stack.bootstrapServers()));
            out.println(String.format(Locale.ROOT, "  %-22s %s  (Confluent API: %s)", "Schema registry",
                    stack.registryUrl(), stack.registry().ccompatUrl()));
            for (LocalStack.Service service : services) {
                out.println(String.format(Locale.ROOT, "  %-22s http://localhost:%d/actuator/health", service.name(),
                        stack.port(service.name())));
            }
            // A key set in the config file is a secret: the lines name where it is, never its value.
            String apiKey = settings.settings(PipelineServices.API).containsKey("tally.api.security.api-keys[0].key")
                    ? "$YOUR_KEY (as set in " + config + ")" : PipelineServices.LOCAL_API_KEY;
            out.println("  Jobs API (key " + apiKey + "): http://localhost:"
                    + stack.port(PipelineServices.API) + "/swagger-ui.html");
            out.println("  Dashboard: http://localhost:" + stack.port(PipelineServices.API)
                    + "/ui  (sign in with API key " + apiKey + ", roles USER and ADMIN)");
            out.println("  Run the chart pipeline: curl -X POST -H 'X-API-Key: " + apiKey + "' "
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

    /**
     * Deletes the state {@code --fresh} starts without, once the user agreed (or said {@code --yes}); false when not
     * agreed or no one can be asked.
     */
    private boolean confirmFresh(Path dataDir, PrintWriter out, PrintWriter err) {
        if (!yes) {
            Console console = System.console();
            if (console == null) {
                err.println("ERROR: --fresh deletes the state in " + dataDir + "; without a terminal to confirm, add --yes");
                err.flush();
                return false;
            }
            String answer = console.readLine("Delete the broker log, schemas, streams state, playlists and outbox in %s? [y/N] ",
                    dataDir);
            if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
                err.println("Not deleted; nothing started.");
                err.flush();
                return false;
            }
        }
        for (String dir : STATE_DIRS) {
            LocalStack.deleteRecursively(dataDir.resolve(dir));
        }
        out.println("Deleted the state in " + dataDir + ".");
        out.flush();
        return true;
    }
}
