package io.tally.notification.channels;

import io.tally.common.jobs.JobIds;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * Sends notifications as plain-text email through Spring's {@link JavaMailSender} (SMTP settings under
 * {@code spring.mail.*}; the password is only in the sender's session, never logged here). The {@code Message-ID}
 * is derived from the notification id, so a send repeated after a crash carries the same id and mail clients and
 * archives can drop the copy.
 */
public final class EmailChannel implements NotificationChannel {

    private final JavaMailSender sender;
    private final String from;
    private final List<String> to;

    public EmailChannel(JavaMailSender sender, String from, List<String> to) {
        if (to.isEmpty()) {
            throw new IllegalArgumentException("tally.notify.email.to is empty: email needs at least one recipient");
        }
        this.sender = sender;
        this.from = from;
        this.to = List.copyOf(to);
    }

    /** The Message-ID of a notification: a hash, because notification ids contain characters Message-IDs forbid. */
    public static String messageId(String notificationId) {
        return "<" + JobIds.sha256Hex(notificationId).substring(0, 32) + "@tally.notify>";
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public List<String> recipients(Notification notification) {
        return to;
    }

    @Override
    public void send(Notification notification) throws MessagingException {
        String messageId = messageId(notification.id());
        MimeMessage message = new MimeMessage(sender.createMimeMessage().getSession()) {
            @Override
            protected void updateMessageID() throws MessagingException {
                // Jakarta Mail would generate a random id on save; ours must be stable across retries.
                setHeader("Message-ID", messageId);
            }
        };
        MimeMessageHelper helper = new MimeMessageHelper(message, "UTF-8");
        helper.setFrom(from);
        helper.setTo(to.toArray(String[]::new));
        helper.setSubject(notification.subject());
        helper.setText(notification.body());
        message.setHeader("X-Tally-Notification-Id", notification.id());
        sender.send(message);
    }
}
