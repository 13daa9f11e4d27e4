package io.tally.notification.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** The email channel against a real SMTP server (GreenMail on a free port). */
class EmailChannelTest {

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final Notification NOTIFICATION = new Notification("completed:job-1", "completed", "job-1",
            "[tally] beatport-chart completed: job-1", "Job job-1 completed.\nItems: 9 expected, 9 succeeded",
            Map.of("jobId", "job-1"));

    @Test
    void deliversSubjectBodyAndStableMessageIdToEveryRecipient() throws Exception {
        // Given the channel pointed at the SMTP server
        EmailChannel channel = new EmailChannel(sender(smtp.getSmtp().getPort()), "tally@example.com",
                List.of("ops@example.com", "dj@example.com"));
        // When a notification is sent
        channel.send(NOTIFICATION);
        // Then both recipients got it with the subject, body and the Message-ID derived from the notification id
        assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(2);
        assertThat(received).allSatisfy(message -> {
            assertThat(message.getSubject()).isEqualTo("[tally] beatport-chart completed: job-1");
            assertThat(GreenMailUtil.getBody(message)).contains("Items: 9 expected, 9 succeeded");
            assertThat(message.getMessageID()).isEqualTo(EmailChannel.messageId("completed:job-1"));
            assertThat(message.getHeader("X-Tally-Notification-Id")).containsExactly("completed:job-1");
            assertThat(message.getFrom()[0].toString()).isEqualTo("tally@example.com");
        });
        assertThat(List.of(received[0].getAllRecipients()).stream().map(Object::toString))
                .containsExactlyInAnyOrder("ops@example.com", "dj@example.com");
        assertThat(channel.describe(NOTIFICATION)).isEqualTo("email to ops@example.com, dj@example.com");
    }

    @Test
    void givesTheSameMessageIdToARepeatedSendSoReceiversCanDropIt() throws Exception {
        // Given a notification sent twice (a crash between send and commit)
        EmailChannel channel = new EmailChannel(sender(smtp.getSmtp().getPort()), "tally@example.com", List.of("ops@example.com"));
        channel.send(NOTIFICATION);
        channel.send(NOTIFICATION);
        // Then both copies carry one Message-ID
        assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
        assertThat(smtp.getReceivedMessages()).extracting(MimeMessage::getMessageID).containsOnly(EmailChannel.messageId("completed:job-1"));
        assertThat(EmailChannel.messageId("completed:job-2")).isNotEqualTo(EmailChannel.messageId("completed:job-1"));
    }

    @Test
    void failsWhenTheServerIsUnreachable() {
        // Given a channel pointed at a port where no SMTP server listens
        EmailChannel channel = new EmailChannel(sender(1), "tally@example.com", List.of("ops@example.com"));
        // When / Then sending fails with a mail exception (the notifier retries and then dead-letters)
        assertThatThrownBy(() -> channel.send(NOTIFICATION)).isInstanceOf(MailException.class);
    }

    private static JavaMailSenderImpl sender(int port) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("localhost");
        sender.setPort(port);
        sender.getJavaMailProperties().put("mail.smtp.connectiontimeout", "5000");
        return sender;
    }
}
