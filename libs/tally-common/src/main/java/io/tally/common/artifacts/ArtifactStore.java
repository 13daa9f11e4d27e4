package io.tally.common.artifacts;

import java.net.URI;

/**
 * Where work too big for a Kafka record is kept: the files a task produces (audio, subtitles) and the results a job
 * returns by reference. An event carries the artifact's reference, never its bytes. Known gap: the only implementation
 * is {@link FileArtifactStore}, a directory every service that reads or writes artifacts must share (one machine, a
 * compose volume, a ReadWriteMany volume in Kubernetes); there is no object-store implementation yet.
 */
public interface ArtifactStore {

    /**
     * Stores {@code content} under {@code key}, replacing what was there: a redelivered task writes the same key again,
     * so writing twice leaves one artifact. Readers never see a half-written artifact.
     *
     * @param key a relative path of plain segments, such as {@code transcribe/<jobId>/transcript.json}
     * @return the artifact's reference, to put in an event
     * @throws IllegalArgumentException when the key is absolute, empty, or leaves the store ({@code ..})
     */
    URI put(String key, byte[] content);

    /**
     * @throws NoSuchArtifactException when the reference is not this store's or the artifact is gone (cleaned up)
     */
    byte[] read(URI reference);

    /** Whether the reference points into this store: a reference from an event is checked before it is read. */
    boolean holds(URI reference);

    /**
     * Deletes every artifact under {@code prefix} ({@code ""} for all of them).
     *
     * @return how many artifacts were deleted
     */
    int deleteUnder(String prefix);

    /** A reference that is not this store's, or whose artifact no longer exists. */
    final class NoSuchArtifactException extends RuntimeException {

        public NoSuchArtifactException(URI reference, String why) {
            super("no artifact at " + reference + ": " + why);
        }
    }
}
