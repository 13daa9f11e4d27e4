package io.tally.celebrity;

import io.tally.tasks.celebrity.CelebrityEntry;
import java.time.Instant;

/** Entries for tests: one celebrity's answer from one source, with a fixed collection time. */
public final class TestEntries {

    private TestEntries() {
    }

    /** An entry of {@code id} from {@code source}, named "Name of id". */
    public static CelebrityEntry entry(String id, String source, long metric, String text, String jobId) {
        return CelebrityEntry.newBuilder().setCelebrityId(id).setName("Name of " + id).setSource(source).setMetric(metric)
                .setText(text).setJobId(jobId).setCollectedAt(Instant.parse("2026-11-29T02:00:00Z"))
                .setAdapter("offline-fixture").build();
    }
}
