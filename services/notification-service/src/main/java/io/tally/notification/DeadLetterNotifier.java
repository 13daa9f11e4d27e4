package io.tally.notification;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.NotificationKind;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Notifies once about each record of the other services' dead-letter topics, read as raw bytes: the reason and
 * original topic come from the headers ({@link DeadLetterHeaders}), the id from topic, partition and offset. The
 * service's own dead-letter topic is not read (see {@link NotificationTopology}), so a failing channel cannot loop.
 * Only the decision is made here; {@link NotificationDelivery} sends it.
 */
final class DeadLetterNotifier implements Processor<byte[], byte[], Object, Object> {

    private final NotifyMetrics metrics;

    private ProcessorContext<Object, Object> context;
    private Dispatch dispatch;

    DeadLetterNotifier(NotifyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.dispatch = new Dispatch(metrics, context.getStateStore(NotificationTopology.DEAD_LETTERS_SENT_STORE),
                context, NotificationTopology.DEAD_LETTER_REQUEST_SINK);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        var notification = Messages.deadLetter(metadata.topic(), metadata.partition(), metadata.offset(), key,
                DeadLetterHeaders.reason(record.headers()), DeadLetterHeaders.originalTopic(record.headers()));
        dispatch.request(NotificationKind.DEAD_LETTER, notification);
    }
}
