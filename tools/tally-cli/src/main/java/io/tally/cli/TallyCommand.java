package io.tally.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tally} command line, started by the {@code ./tally} script at the repository root.
 * Jobs, dead-letter, replay and rerun commands call the jobs API ({@code --api-url}, {@code --api-key}).
 */
@Command(
        name = "tally",
        mixinStandardHelpOptions = true,
        versionProvider = TallyCommand.JarVersion.class,
        description = "Kafka-native pipeline orchestration: Avro events, a Kafka Streams job tracker, Spring Boot services.",
        subcommands = {DemoCommand.class, DevCommand.class, JobsCommand.class, DeadLettersCommand.class, ReplayCommand.class,
                RerunCommand.class, TrackerDemoCommand.class, SchemasCommand.class, AuthCommand.class,
                PipelinesCommand.class, SchedulesCommand.class, SourcesCommand.class, WorkersCommand.class},
        // The benchmark is its own module (it depends on this one); the ./tally script dispatches to it.
        footer = {"", "  bench     Measures the tracker and the pipeline against Kafka's own limits (./tally bench --help)."})
public class TallyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TallyCommand()).execute(args));
    }

    /** Without a subcommand there is nothing to run, so show what there is. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version the jar manifest carries; unknown when run from classes (an IDE, tests). */
    static final class JarVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TallyCommand.class.getPackage().getImplementationVersion();
            return new String[] {"tally " + (version != null ? version : "(development build)")};
        }
    }
}
