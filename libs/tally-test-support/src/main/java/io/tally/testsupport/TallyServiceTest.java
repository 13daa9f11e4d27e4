package io.tally.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.TestPropertySource;

/**
 * Sets up a service integration test: the whole Spring Boot application on a random port, a real in-JVM KRaft broker
 * ({@link TallyEmbeddedKafka}), the shared Apicurio registry process ({@link RegistryContextCustomizerFactory}), a
 * Streams state directory of its own, a {@link KafkaTestClient} bean, and, before each test, a wait until the
 * service's Kafka Streams client (if it has one) is RUNNING ({@link StreamsRunningTestExecutionListener}). Test
 * classes with the same {@link #properties()} share one context and one broker.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TallyEmbeddedKafka
@TestPropertySource(properties = {
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        // A fresh broker with an old state directory gives TaskCorruptedException and a state wipe.
        "spring.kafka.streams.state-dir=target/kafka-streams-state/${random.uuid}",
        "spring.main.banner-mode=off"})
@Import(TallyServiceTestConfiguration.class)
public @interface TallyServiceTest {

    /** The service's own test properties, {@code key=value}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
    String[] properties() default {};
}
