package io.tally.transcribe;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The files the transcribe stages pass each other, kept in the shared {@link ArtifactStore} under
 * {@code transcribe/<jobId>/<stage>/<file>}: a redelivered or retried task writes the same keys again, so a job has
 * one copy of each. A reference from an input that is not the store's, or whose file is gone, fails the task at once
 * ({@value #MISSING}).
 */
public final class StageArtifacts {

    /** The code of an input reference that is not (or no longer) in the store. */
    public static final String MISSING = "artifact-missing";
    /** The key prefix of every artifact of this pipeline. */
    public static final String PREFIX = "transcribe/";

    private final ArtifactStore store;

    public StageArtifacts(ArtifactStore store) {
        this.store = store;
    }

    /** Stores a file of the task's stage and returns its reference as text. */
    public String put(TaskContext context, String fileName, byte[] content) {
        return store.put(PREFIX + safe(context.jobId()) + "/" + safe(context.stage()) + "/" + safe(fileName), content)
                .toString();
    }

    /** The file behind an input reference. */
    public byte[] read(String reference) {
        URI uri;
        try {
            uri = new URI(reference);
        } catch (URISyntaxException e) {
            throw new TaskFailedException(MISSING, "'" + reference + "' is not an artifact reference", false);
        }
        if (!store.holds(uri)) {
            throw new TaskFailedException(MISSING, reference + " is not in this worker's artifact store"
                    + " (tally.artifacts.dir must be the same directory for every service)", false);
        }
        try {
            return store.read(uri);
        } catch (ArtifactStore.NoSuchArtifactException e) {
            throw new TaskFailedException(MISSING, e.getMessage(), false);
        }
    }

    /** A file name reduced to letters, digits, dot, dash and underscore: one plain path segment. */
    static String safe(String name) {
        String plain = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return plain.isEmpty() || plain.chars().allMatch(c -> c == '.') ? "_" + plain : plain;
    }
}
