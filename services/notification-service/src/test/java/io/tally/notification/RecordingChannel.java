package io.tally.notification;

import io.tally.notification.channels.Notification;
import io.tally.notification.channels.NotificationChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A fake channel for topology tests: records what it is asked to send and can fail a given number of times. */
final class RecordingChannel implements NotificationChannel {

    final List<Notification> sent = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failuresLeft = new AtomicInteger();
    private final String name;

    RecordingChannel(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> recipients(Notification notification) {
        return List.of("ops@example.com");
    }

    @Override
    public void send(Notification notification) {
        calls.incrementAndGet();
        if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IllegalStateException(name + " is down");
        }
        sent.add(notification);
    }
}
