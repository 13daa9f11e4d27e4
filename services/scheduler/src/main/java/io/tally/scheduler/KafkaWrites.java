package io.tally.scheduler;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.web.ErrorResponseException;

/**
 * The HTTP side's writes to Kafka (manual triggers, schedule changes): sent with Spring's ordinary template, never
 * the leader's transactional producer, and waited for, so the caller hears whether the record is on the topic; a
 * failure (the broker, the registry, a timeout) is a 503 problem naming it.
 */
public final class KafkaWrites {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private KafkaWrites() {
    }

    /**
     * Sends {@code value} (null: a tombstone) under {@code key} and waits for the broker's acknowledgement.
     *
     * @param what what is written, for the problem's detail ("The trigger", "The schedule change")
     * @throws ErrorResponseException 503 when it could not be written
     */
    public static SendResult<String, Object> send(KafkaTemplate<String, Object> template, String topic, String key,
            Object value, String what) {
        try {
            return template.send(topic, key, value).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // Includes the serializer's registry failures, which surface as plain runtime exceptions.
            throw unavailable(what, e);
        }
    }

    private static ErrorResponseException unavailable(String what, Exception cause) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                what + " could not be written to Kafka: " + cause);
        return new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, cause);
    }
}
