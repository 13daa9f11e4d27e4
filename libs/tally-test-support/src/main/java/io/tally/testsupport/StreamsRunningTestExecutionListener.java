package io.tally.testsupport;

import io.tally.common.health.KafkaStreamsHealth;
import java.time.Duration;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Before each test method of a {@link TallyServiceTest}, waits until the service's Kafka Streams client is RUNNING,
 * so no test races the first rebalance. Services without Streams are not waited for. Registered in
 * {@code META-INF/spring.factories}.
 */
public final class StreamsRunningTestExecutionListener extends AbstractTestExecutionListener {

    /** How long a service may take to join its group and restore on a busy 2-core machine. */
    public static final Duration STARTUP = Duration.ofSeconds(60);

    @Override
    public int getOrder() {
        // After dependency injection and Spring's own listeners, so the context is up.
        return 10_000;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        if (!TestContextAnnotationUtils.hasAnnotation(testContext.getTestClass(), TallyServiceTest.class)) {
            return;
        }
        testContext.getApplicationContext().getBeanProvider(KafkaStreamsHealth.class)
                .ifAvailable(streams -> KafkaTestClient.awaitRunning(streams, STARTUP));
    }
}
