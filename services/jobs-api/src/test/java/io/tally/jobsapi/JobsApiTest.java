package io.tally.jobsapi;

import io.tally.testsupport.TallyServiceTest;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The jobs API as a whole on the test broker and registry, with one ADMIN and one USER key. Every jobs-API test class
 * uses this one configuration, so they share one Spring context and one broker.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TallyServiceTest(properties = {
        "tally.kafka.partitions=1",
        // A private artifact directory: the admin tests delete artifacts, and other builds on the machine share tmp.
        "tally.artifacts.dir=${java.io.tmpdir}/tally-jobs-api-test-artifacts-${random.uuid}",
        "tally.api.security.api-keys[0].name=ops",
        "tally.api.security.api-keys[0].key=" + JobsApiTest.ADMIN_KEY,
        "tally.api.security.api-keys[0].roles=USER,ADMIN",
        "tally.api.security.api-keys[1].name=alice",
        "tally.api.security.api-keys[1].key=" + JobsApiTest.USER_KEY,
        "tally.api.security.api-keys[1].roles=USER"})
public @interface JobsApiTest {

    /** The key of the caller with the USER and ADMIN roles. */
    String ADMIN_KEY = "admin-key-0123456789";

    /** The key of the caller with the USER role only. */
    String USER_KEY = "user-key-0123456789";
}
