package io.tally.common.errors;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * The reason headers every hop of the retry chain adds, in the names {@link DeadLetterHeaders} reads: the failure
 * without Spring's wrappers ("Listener failed; ...") and the topic the request was first written to. Each hop adds
 * a new value; readers take the last one.
 */
public final class DeadLetterReasons {

    private DeadLetterReasons() {
    }

    public static Headers headers(ConsumerRecord<?, ?> record, Exception failure) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.SPRING_MESSAGE, DeadLetterErrorHandlers.reason(failure).getBytes(StandardCharsets.UTF_8));
        Header original = record.headers().lastHeader(KafkaHeaders.ORIGINAL_TOPIC);
        byte[] originalTopic = original != null ? original.value() : record.topic().getBytes(StandardCharsets.UTF_8);
        headers.add(DeadLetterHeaders.SPRING_TOPIC, originalTopic);
        return headers;
    }
}
