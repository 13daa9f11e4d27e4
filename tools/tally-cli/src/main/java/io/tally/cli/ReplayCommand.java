package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally replay <topic>}: re-produces a range of a catalogue topic into itself through the jobs API (ADMIN key),
 * or counts it with {@code --dry-run}. What that does to jobs is in docs/replay.md.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-produces a topic range (per partition) into the same topic; --dry-run only counts.")
public class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;
    @Mixin
    ApiOptions api;
    @Parameters(paramLabel = "TOPIC", description = "A catalogue topic, e.g. tally.jobs.items.")
    String topic;
    @ArgGroup(exclusive = true, multiplicity = "1")
    From from;
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    To to;
    @Option(names = "--dry-run", description = "Only count the records.")
    boolean dryRun;

    /** Where the range starts. */
    static final class From {
        @Option(names = "--from-offset", required = true, paramLabel = "N", description = "First offset (inclusive), per partition.")
        Long offset;
        @Option(names = "--from-timestamp", required = true, paramLabel = "ISO",
                description = "First record at or after this instant, e.g. 2026-11-23T10:00:00Z.")
        Instant timestamp;
    }

    /** Where the range ends; default: the end of the topic when the replay starts. */
    static final class To {
        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "Last offset (inclusive), per partition.")
        Long offset;
        @Option(names = "--to-timestamp", required = true, paramLabel = "ISO",
                description = "Stop before the first record at or after this instant.")
        Instant timestamp;
    }

    @Override
    public Integer call() {
        return ApiOptions.run(spec, () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("topic", topic);
            body.put("fromOffset", from.offset);
            body.put("fromTimestamp", from.timestamp == null ? null : from.timestamp.toString());
            body.put("toOffset", to == null ? null : to.offset);
            body.put("toTimestamp", to == null || to.timestamp == null ? null : to.timestamp.toString());
            body.put("dryRun", dryRun);
            body.values().removeIf(java.util.Objects::isNull);
            JsonNode answer = api.post("/api/admin/replay", body);
            spec.commandLine().getOut().println(String.format(Locale.ROOT, answer.path("dryRun").asBoolean()
                            ? "dry run: %d record(s) of %s would be replayed" : "replayed %d record(s) of %s",
                    answer.path("records").asLong(), answer.path("topic").asText()));
        });
    }
}
