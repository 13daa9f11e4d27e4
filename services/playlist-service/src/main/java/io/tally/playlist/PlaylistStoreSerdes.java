package io.tally.playlist;

import io.tally.events.PlaylistCreated;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes of the service's own stores (the playlists made, by chart). Values use Avro's single-object encoding (schema
 * fingerprint + body): internal state needs no registry round trip, and the fingerprint lets a later release detect an
 * old layout.
 */
final class PlaylistStoreSerdes {

    private PlaylistStoreSerdes() {
    }

    static Serde<PlaylistCreated> playlistCreated() {
        return Serdes.serdeFrom(
                (topic, value) -> value == null ? null : bytes(encode(value)),
                (topic, bytes) -> bytes == null ? null : decodePlaylist(ByteBuffer.wrap(bytes)));
    }

    private static ByteBuffer encode(PlaylistCreated value) {
        try {
            return value.toByteBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PlaylistCreated decodePlaylist(ByteBuffer buffer) {
        try {
            return PlaylistCreated.fromByteBuffer(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
