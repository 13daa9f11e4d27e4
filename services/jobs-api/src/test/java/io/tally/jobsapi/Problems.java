package io.tally.jobsapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import tools.jackson.databind.json.JsonMapper;

/** Assertions on RFC 9457 answers, shared by the API integration tests. */
public final class Problems {

    private Problems() {
    }

    /** The answer is a problem+json of {@code status}, with the status in its body too. */
    public static void assertProblem(JsonMapper json, HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json.readTree(response.body()).get("status").asInt()).isEqualTo(status);
    }
}
