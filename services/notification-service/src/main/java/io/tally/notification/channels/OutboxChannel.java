package io.tally.notification.channels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

/**
 * The offline default: writes each notification as an {@code .eml}-like text file named by its notification id into
 * a folder, so the pipeline shows its notifications on one machine with no accounts. A repeated send overwrites
 * the same file, so a repeat after a crash leaves one file.
 */
public final class OutboxChannel implements NotificationChannel {

    private final Path folder;

    public OutboxChannel(Path folder) {
        this.folder = folder;
    }

    /** The file a notification is written to. */
    public Path fileOf(String notificationId) {
        return folder.resolve(notificationId.replaceAll("[^A-Za-z0-9._-]", "_") + ".eml");
    }

    @Override
    public String name() {
        return "outbox";
    }

    @Override
    public List<String> recipients(Notification notification) {
        return List.of(fileOf(notification.id()).toString());
    }

    @Override
    public void send(Notification notification) throws IOException {
        Files.createDirectories(folder);
        Path file = fileOf(notification.id());
        String text = """
                Message-ID: %s
                X-Tally-Notification-Id: %s
                Date: %s
                Subject: %s
                Content-Type: text/plain; charset=UTF-8

                %s
                """.formatted(EmailChannel.messageId(notification.id()), notification.id(), Instant.now(),
                notification.subject(), notification.body());
        Path temp = Files.createTempFile(folder, ".notification-", ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        // A reader of the folder never sees half a file.
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
