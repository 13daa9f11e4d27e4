package io.tally.scheduler;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * The thread of one of this service's long-running Kafka readers (the leader loop, the definitions follower): started
 * and stopped with the application; {@link #stop} wakes the reader's consumer up and cuts a {@link #pause} short, so
 * a replica shuts down at once whatever its loop is doing.
 */
public final class ReaderThread {

    private final String name;
    private volatile boolean running;
    private volatile Thread thread;
    private volatile Consumer<?, ?> consumer;
    /** Counted down by stop(), so a wait between two attempts ends at once. */
    private volatile CountDownLatch stopped = new CountDownLatch(0);

    /** @param name the thread's name, for logs and thread dumps */
    public ReaderThread(String name) {
        this.name = name;
    }

    /** Runs {@code loop} on a new thread; the loop goes on while {@link #running()}. */
    public void start(Runnable loop) {
        stopped = new CountDownLatch(1);
        running = true;
        thread = new Thread(loop, name);
        thread.start();
    }

    /** Ends the loop: no more {@link #running()}, the consumer woken up, a pause cut short; waits up to {@code join}. */
    public void stop(Duration join) {
        running = false;
        stopped.countDown();
        Consumer<?, ?> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        Thread loop = thread;
        if (loop != null) {
            try {
                loop.join(join.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the loop should go on. */
    public boolean running() {
        return running;
    }

    /** The consumer the loop polls now, woken up by {@link #stop}; null when it has none. */
    public void polling(Consumer<?, ?> current) {
        consumer = current;
    }

    /** Waits {@code wait}, or less if the loop is stopped meanwhile; an interrupt stops the loop. */
    public void pause(Duration wait) {
        try {
            stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
