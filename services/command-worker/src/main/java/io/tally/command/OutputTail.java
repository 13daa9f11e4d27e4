package io.tally.command;

import java.nio.charset.StandardCharsets;

/**
 * The last {@code capacity} bytes written to it, and whether more were: a process's output is bounded in the task's
 * output by keeping its end, where a tool prints its summary and its error. Thread-safe.
 * Known gap: a multi-byte UTF-8 character cut at the head of the tail shows as a replacement character.
 */
final class OutputTail {

    private final byte[] ring;
    private long written;

    OutputTail(int capacity) {
        this.ring = new byte[capacity];
    }

    synchronized void append(byte[] data, int length) {
        for (int i = 0; i < length; i++) {
            ring[(int) (written++ % ring.length)] = data[i];
        }
    }

    synchronized String text() {
        int size = (int) Math.min(written, ring.length);
        byte[] tail = new byte[size];
        long start = written - size;
        for (int i = 0; i < size; i++) {
            tail[i] = ring[(int) ((start + i) % ring.length)];
        }
        return new String(tail, StandardCharsets.UTF_8);
    }

    synchronized boolean truncated() {
        return written > ring.length;
    }
}
