package io.tally.scheduler.manual;

import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import io.tally.scheduler.KafkaWrites;
import io.tally.scheduler.Triggers;
import io.tally.scheduler.cron.SchedulerMetrics;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;

/**
 * Emits manual triggers through Spring's ordinary (non-transactional) template, never the leader's producer.
 * An {@code Idempotency-Key} makes a retried request return the first answer (same trigger id and job id) instead of
 * starting a second run. Known gap: remembered keys live in this replica's memory (bounded, newest
 * {@value #REMEMBERED_KEYS}); a retry that lands on another replica or after a restart emits the same trigger id
 * again, which consumers dedupe on, but its job id may differ if the minute changed.
 */
@Service
public class ManualTriggers {

    static final int REMEMBERED_KEYS = 10_000;

    private final KafkaTemplate<String, Object> template;
    private final Clock clock;
    private final SchedulerMetrics metrics;
    private final Map<String, Remembered> byKey = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > REMEMBERED_KEYS;
        }
    };

    public ManualTriggers(KafkaTemplate<String, Object> template, Clock clock, SchedulerMetrics metrics) {
        this.template = template;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Emits the trigger for {@code requestedBy} (or returns the remembered answer for a known idempotency key). */
    public TriggerAccepted trigger(TriggerRequest request, String idempotencyKey, String requestedBy) {
        if (idempotencyKey == null) {
            return send(request, UUID.randomUUID().toString(), requestedBy);
        }
        // One request per key at a time, so two concurrent retries cannot both emit.
        synchronized (byKey) {
            Remembered known = byKey.get(idempotencyKey);
            if (known != null) {
                if (!known.request().equals(request)) {
                    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                            "Idempotency-Key '" + idempotencyKey + "' was already used with a different request body");
                    throw new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
                }
                return known.answer();
            }
            TriggerAccepted answer = send(request, idempotencyKey, requestedBy);
            byKey.put(idempotencyKey, new Remembered(request, answer));
            return answer;
        }
    }

    private TriggerAccepted send(TriggerRequest request, String key, String requestedBy) {
        PipelineTriggered trigger = Triggers.manual(request.pipeline(), request.parameters(), key, requestedBy,
                clock.instant());
        KafkaWrites.send(template, Topics.PIPELINE_TRIGGERS.name(), trigger.getTriggerId(), trigger, "The trigger");
        metrics.triggered("manual");
        return new TriggerAccepted(trigger.getTriggerId(), trigger.getJobId());
    }

    private record Remembered(TriggerRequest request, TriggerAccepted answer) {
    }
}
