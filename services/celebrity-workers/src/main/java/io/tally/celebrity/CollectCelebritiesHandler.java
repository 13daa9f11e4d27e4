package io.tally.celebrity;

import io.tally.celebrity.source.CelebritySource;
import io.tally.celebrity.source.Roster;
import io.tally.celebrity.source.SourceEntry;
import io.tally.celebrity.source.SourceRejectedException;
import io.tally.celebrity.source.SourceUnavailableException;
import io.tally.common.topics.Topics;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CollectCelebritiesInput;
import io.tally.tasks.celebrity.CollectCelebritiesOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * A source task ({@code collect-tmdb}, {@code collect-wikipedia}, {@code collect-news}, {@code collect-social}):
 * asks its source about the roster's first {@code limit} celebrities and writes one {@link CelebrityEntry} per answer to
 * the compacted entity topic, keyed {@code <celebrityId>/<source>}, then answers how many it wrote. A redelivered or
 * retried task writes the same keys again (the table keeps one entry per key), so it is idempotent; the entries carry
 * the job id, which is how the quality check tells this run's entries. A source that is unavailable fails the task as
 * retryable ({@code source-unavailable}), one that refuses it as not retryable ({@code source-rejected}); nothing is
 * written then, so a half-collected source never looks complete.
 */
public final class CollectCelebritiesHandler implements TaskHandler.Work<CollectCelebritiesInput, CollectCelebritiesOutput> {

    /** The task type of a source: {@code collect-<source>}. */
    public static String taskType(String source) {
        return "collect-" + source;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CollectCelebritiesHandler.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final CelebritySource source;
    private final Roster roster;
    private final KafkaTemplate<String, Object> template;
    private final Clock clock;

    public CollectCelebritiesHandler(CelebritySource source, Roster roster, KafkaTemplate<String, Object> template, Clock clock) {
        this.source = source;
        this.roster = roster;
        this.template = template;
        this.clock = clock;
    }

    /** The entity key of a celebrity's entry from a source. */
    public static String key(String celebrityId, String source) {
        return celebrityId + "/" + source;
    }

    @Override
    public CollectCelebritiesOutput run(CollectCelebritiesInput input, TaskContext context) throws Exception {
        List<SourceEntry> answers;
        try {
            answers = source.collect(roster.first(input.getLimit()));
        } catch (SourceRejectedException e) {
            throw new TaskFailedException("source-rejected", e.getMessage(), false, e);
        } catch (SourceUnavailableException e) {
            throw new TaskFailedException("source-unavailable", e.getMessage(), true, e);
        }
        List<CompletableFuture<?>> sends = new ArrayList<>(answers.size());
        for (SourceEntry answer : answers) {
            CelebrityEntry entry = CelebrityEntry.newBuilder()
                    .setCelebrityId(answer.celebrity().id())
                    .setName(answer.celebrity().name())
                    .setSource(source.source())
                    .setMetric(answer.metric())
                    .setText(answer.text())
                    .setJobId(input.getJobId())
                    .setCollectedAt(clock.instant())
                    .setAdapter(source.adapter())
                    .build();
            sends.add(template.send(Topics.CELEBRITY_ENTRIES.name(), key(entry.getCelebrityId(), entry.getSource()), entry));
        }
        // Answered only once every entry is acknowledged: the quality check reads the topic's end offsets after this.
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        LOG.info("{}: wrote {} entries of {} celebrities for job {} ({})", taskType(source.source()), answers.size(),
                input.getLimit(), input.getJobId(), source.adapter());
        return CollectCelebritiesOutput.newBuilder().setSource(source.source()).setWritten(answers.size())
                .setAdapter(source.adapter()).build();
    }
}
