package io.tally.scheduler.definitions;

import io.tally.common.pipelines.ParsedDefinitions;
import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.MissedRunPolicy;
import io.tally.pipeline.PipelineDefinition;
import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.ScheduleSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedules of the latest published version of every pipeline, from the records of the definitions topic, parsed
 * with the libraries' loader ({@link ParsedDefinitions}). Identity {@code <pipeline>/<schedule>}, the definition's
 * {@code missedRuns} as the scheduler's {@link MissedPolicy}, its parameters copied into each trigger. A version that
 * does not parse with this release is logged once and left out, so the previous version's schedules go on (as the
 * jobs API leaves it out of its list). Not thread-safe: one thread applies records; {@link #current()} is safe from
 * any thread.
 */
public final class PipelineSchedules {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineSchedules.class);

    /** One parsed version and when it was published. */
    record Version(PipelineDefinition definition, Instant publishedAt) {
    }

    private final Map<String, PipelineDefinitionPublished> published = new HashMap<>();
    private final ParsedDefinitions parsed = new ParsedDefinitions();
    private volatile List<Schedule> current = List.of();
    private volatile Map<String, PipelineDefinition> latest = Map.of();

    /** One record of the topic: a version under its key {@code <name>@<version>}, or a tombstone (null) removing it. */
    public void apply(String key, PipelineDefinitionPublished value) {
        if (value == null) {
            published.remove(key);
        } else {
            published.put(key, value);
        }
    }

    /** Recomputes the schedules from every version applied so far; true when they changed. */
    public boolean refresh() {
        List<Version> versions = new ArrayList<>();
        for (PipelineDefinitionPublished record : published.values()) {
            parsed.parseOrSkip(record, problem -> LOG.warn("Published definition {}@{} (from {}) does not parse here "
                            + "and is left out; its schedules do not fire: {}", record.getName(), record.getVersion(),
                            record.getFile(), problem.getMessage()))
                    .ifPresent(definition -> versions.add(new Version(definition, record.getPublishedAt())));
        }
        List<Schedule> next = of(versions);
        Map<String, PipelineDefinition> definitions = new HashMap<>();
        PublishedDefinitions.byNameAndVersion(versions, Version::definition).forEach((name, byVersion) ->
                definitions.put(name, byVersion.lastEntry().getValue().definition()));
        latest = Map.copyOf(definitions);
        boolean changed = !next.equals(current);
        current = next;
        return changed;
    }

    /** The latest version of {@code pipeline} that parses, as of the last {@link #refresh()}. */
    public Optional<PipelineDefinition> latest(String pipeline) {
        return Optional.ofNullable(latest.get(pipeline));
    }

    /** The schedules as of the last {@link #refresh()}, in name order, disabled ones included. */
    public List<Schedule> current() {
        return current;
    }

    /** The schedules of the latest of {@code versions} of each pipeline, in name order. */
    static List<Schedule> of(Collection<Version> versions) {
        List<Schedule> schedules = new ArrayList<>();
        for (TreeMap<Integer, Version> pipeline : PublishedDefinitions.byNameAndVersion(versions, Version::definition)
                .values()) {
            Version latest = pipeline.lastEntry().getValue();
            for (io.tally.pipeline.ScheduleSpec declared : latest.definition().schedules()) {
                schedules.add(schedule(latest.definition(), declared, appliesFrom(pipeline, declared)));
            }
        }
        schedules.sort(Comparator.comparing(Schedule::name));
        return List.copyOf(schedules);
    }

    /** The identity of a declared schedule; '/' cannot appear in a configured name, so the two never collide. */
    public static String name(String pipeline, String schedule) {
        return pipeline + "/" + schedule;
    }

    static Schedule schedule(PipelineDefinition definition, io.tally.pipeline.ScheduleSpec declared, Instant appliesFrom) {
        ScheduleSpec spec = new ScheduleSpec(name(definition.name(), declared.name()), definition.name(), declared.cron(),
                declared.zone(), missedPolicy(declared.missedRuns()), declared.parameters());
        return new Schedule(spec, definition.name() + "@" + definition.version(), declared.enabled(), appliesFrom);
    }

    static MissedPolicy missedPolicy(MissedRunPolicy policy) {
        return switch (policy) {
            case SKIP -> MissedPolicy.SKIP;
            case FIRE_ONCE -> MissedPolicy.FIRE_ONCE;
        };
    }

    /**
     * When the latest version's timing of {@code declared} was published: walking back from the latest version, the
     * oldest one of the unbroken run of versions with the same schedule, enabled, on the same cron and zone. A version
     * that changes only the parameters or the missed-run policy keeps the earlier instant, so instants missed across
     * it are still handled by the policy.
     */
    private static Instant appliesFrom(TreeMap<Integer, Version> pipeline, io.tally.pipeline.ScheduleSpec declared) {
        Instant since = pipeline.lastEntry().getValue().publishedAt();
        if (!declared.enabled()) {
            return since;
        }
        for (Version earlier : pipeline.headMap(pipeline.lastKey(), false).descendingMap().values()) {
            Optional<io.tally.pipeline.ScheduleSpec> same = earlier.definition().schedules().stream()
                    .filter(schedule -> schedule.name().equals(declared.name())).findFirst()
                    .filter(schedule -> schedule.enabled() && schedule.cron().equals(declared.cron())
                            && schedule.zone().equals(declared.zone()));
            if (same.isEmpty()) {
                break;
            }
            since = earlier.publishedAt();
        }
        return since;
    }
}
