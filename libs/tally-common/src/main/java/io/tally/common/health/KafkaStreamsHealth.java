package io.tally.common.health;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Makes a Kafka Streams application's probes follow its state. The rules:
 * <ul>
 *   <li>readiness accepts traffic only in RUNNING;</li>
 *   <li>liveness breaks in ERROR and PENDING_ERROR, so Kubernetes restarts the pod;</li>
 *   <li>the {@code kafkaStreams} health component is UP in RUNNING and REBALANCING, DOWN otherwise.</li>
 * </ul>
 * NOT_RUNNING after a clean shutdown is not reported as broken: the application is stopping anyway.
 */
public final class KafkaStreamsHealth implements KafkaStreams.StateListener, HealthIndicator {

    private final ApplicationEventPublisher events;
    private volatile State state = State.CREATED;

    public KafkaStreamsHealth(ApplicationEventPublisher events) {
        this.events = events;
    }

    @Override
    public void onChange(State newState, State oldState) {
        state = newState;
        AvailabilityChangeEvent.publish(events, this,
                newState == State.RUNNING ? ReadinessState.ACCEPTING_TRAFFIC : ReadinessState.REFUSING_TRAFFIC);
        if (newState == State.ERROR || newState == State.PENDING_ERROR) {
            AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
        }
    }

    /** The last state the streams client reported. */
    public State state() {
        return state;
    }

    @Override
    public Health health() {
        State current = state;
        Health.Builder builder = current == State.RUNNING || current == State.REBALANCING ? Health.up() : Health.down();
        return builder.withDetail("state", current.name()).build();
    }
}
