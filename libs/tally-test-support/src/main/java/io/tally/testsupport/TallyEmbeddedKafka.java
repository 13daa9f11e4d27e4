package io.tally.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * A one-broker in-JVM KRaft cluster set up for exactly-once: transaction state on one replica, timed-out transactions
 * aborted within half a second (the broker default checks every 10 s, which tests of transaction timeouts would wait
 * out), and no topics created by accident (the services create the catalogue's topics themselves). For tests that start applications by hand;
 * service tests use {@link TallyServiceTest}, which includes it.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@EmbeddedKafka(partitions = 1, brokerProperties = {
        "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1", "auto.create.topics.enable=false",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms=500"})
public @interface TallyEmbeddedKafka {
}
