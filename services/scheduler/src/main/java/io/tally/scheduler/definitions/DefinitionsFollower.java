package io.tally.scheduler.definitions;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineDefinition;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.TopicFollower;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Follows the compacted definitions topic ({@code tally.pipelines.definitions}), so a newly published version's
 * schedules apply without a restart ({@link PipelineSchedules} maps them). Every replica follows it, leading or not,
 * so each one's schedule list is whole.
 * Known gap: until the topic has been read once after start, the replica knows no declared schedule; a schedule due
 * in that moment still fires late (within {@code tally.scheduler.grace}) or by its missed-run policy.
 */
@Component
public class DefinitionsFollower extends TopicFollower<PipelineDefinitionPublished> {

    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsFollower.class);

    private final PipelineSchedules schedules = new PipelineSchedules();

    public DefinitionsFollower(KafkaProperties kafka, AvroSerdes serdes) {
        super(Topics.PIPELINE_DEFINITIONS.name(), PipelineDefinitionPublished.class, "tally-scheduler-definitions",
                kafka, serdes);
    }

    /** The schedules of the latest version of every published pipeline, as read so far, disabled ones included. */
    public List<Schedule> schedules() {
        return schedules.current();
    }

    /** The latest published version of {@code pipeline} that parses with this release, as read so far. */
    public Optional<PipelineDefinition> latest(String pipeline) {
        return schedules.latest(pipeline);
    }

    @Override
    protected void apply(ConsumerRecords<String, PipelineDefinitionPublished> records) {
        for (ConsumerRecord<String, PipelineDefinitionPublished> record : records) {
            schedules.apply(record.key(), record.value());
        }
        if (schedules.refresh()) {
            LOG.info("Schedules of the published pipelines now: {}", schedules.current().stream()
                    .map(s -> s.name() + " (" + s.source() + (s.enabled() ? ", " + s.spec().cron() + " " + s.spec().zone()
                            : ", disabled") + ")").toList());
        }
    }
}
