package io.tally.jobsapi.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/** The view refuses to answer, with a 503 problem, until the streams client runs. */
class JobViewTest {

    @Test
    void answers503WhileTheStreamsClientHasNotStarted() {
        // Given a streams factory bean that has not started its client
        JobView view = new JobView(new StreamsBuilderFactoryBean(), new JobIndex());
        // When a job or an idempotency key is looked up, Then the answer is "job view is loading" with 503
        assertThatThrownBy(() -> view.job("job-1"))
                .isInstanceOfSatisfying(ViewNotReadyException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(e.getBody().getDetail()).startsWith("job view is loading");
                    assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo("1");
                });
        assertThatThrownBy(() -> view.idempotencyKey("k")).isInstanceOf(ViewNotReadyException.class);
        assertThatThrownBy(view::allJobs).isInstanceOf(ViewNotReadyException.class);
    }
}
