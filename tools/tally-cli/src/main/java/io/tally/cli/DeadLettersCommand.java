package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally dlt list|redrive}: the dead-letter endpoints of the jobs API (ADMIN key). Redrive is at-least-once:
 * the records stay in the dead-letter topic, and consumers dedupe a second redrive.
 */
@Command(name = "dlt", mixinStandardHelpOptions = true, description = "Lists and redrives dead-letter records.",
        subcommands = {DeadLettersCommand.ListDeadLetters.class, DeadLettersCommand.Redrive.class})
public class DeadLettersCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code tally dlt list <topic>}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the newest records of a dead-letter topic with their original topic and reason.")
    static final class ListDeadLetters implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "TOPIC", description = "A dead-letter topic, e.g. tally.dlt.tasks.search-track.")
        String topic;
        @Option(names = "--limit", defaultValue = "50", description = "Newest records to show (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                JsonNode records = api.get("/api/admin/dead-letters/" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                        + "?limit=" + limit);
                PrintWriter out = spec.commandLine().getOut();
                out.println(String.format(Locale.ROOT, "%-9s %-8s %-24s %-32s %-28s %6s  %s", "PARTITION", "OFFSET",
                        "TIMESTAMP", "KEY", "ORIGINAL TOPIC", "BYTES", "REASON"));
                for (JsonNode record : records) {
                    out.println(String.format(Locale.ROOT, "%-9d %-8d %-24s %-32s %-28s %6d  %s",
                            record.path("partition").asInt(), record.path("offset").asLong(),
                            record.path("timestamp").asText(), record.path("key").asText("-"),
                            record.path("originalTopic").asText("-"), record.path("valueSize").asInt(),
                            record.path("reason").asText("-")));
                }
                out.println(records.size() + " dead letter(s) in " + topic);
            });
        }
    }

    /** {@code tally dlt redrive <topic> (--all | --offset P:O ...)}. */
    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Sends dead letters back to their original topics and prints the counts.")
    static final class Redrive implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "TOPIC", description = "A dead-letter topic, e.g. tally.dlt.tasks.search-track.")
        String topic;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Selection selection;

        /** Either every record or the given positions. */
        static final class Selection {
            @Option(names = "--all", required = true, description = "Redrive every record of the topic.")
            boolean all;
            @Option(names = "--offset", paramLabel = "PARTITION:OFFSET", required = true,
                    converter = PositionConverter.class, description = "A record to redrive; repeatable.")
            List<Position> offsets;
        }

        @Override
        public Integer call() {
            return ApiOptions.run(spec, () -> {
                Map<String, Object> body = selection.all ? Map.of("all", true) : Map.of("offsets", selection.offsets);
                JsonNode counts = api.post("/api/admin/dead-letters/"
                        + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "/redrive", body);
                spec.commandLine().getOut().println(String.format(Locale.ROOT,
                        "%s: selected %d, redriven %d, skipped %d (no original topic)", topic,
                        counts.path("selected").asLong(), counts.path("redriven").asLong(), counts.path("skipped").asLong()));
            });
        }
    }

    /**
     * One record of a dead-letter topic, as the redrive body names it.
     *
     * @param partition its partition
     * @param offset    its offset
     */
    record Position(int partition, long offset) {
    }

    /** {@code 0:42} → {@code {"partition": 0, "offset": 42}}. */
    static final class PositionConverter implements CommandLine.ITypeConverter<Position> {
        @Override
        public Position convert(String value) {
            String[] parts = value.split(":");
            try {
                if (parts.length == 2) {
                    return new Position(Integer.parseInt(parts[0].strip()), Long.parseLong(parts[1].strip()));
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not PARTITION:OFFSET, e.g. 0:42");
        }
    }
}
