package io.tally.common.servicetest;

import io.tally.common.security.ApiAccessRules;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import java.util.Map;
import org.springframework.context.annotation.Bean;

/** A minimal web service on tally-common's auto-configuration: one endpoint of each kind the services have. */
@SpringBootApplication
class WebTestApplication {

    /** Reads of {@code /api/reads} are public here, as the scheduler's schedule list is. */
    @Bean
    ApiAccessRules publicReads() {
        return (requests, properties) -> requests.requestMatchers(HttpMethod.GET, "/api/reads").permitAll();
    }

    /** Endpoints that change state (a USER action and an ADMIN action), a public read and a failing one. */
    @RestController
    static class Endpoints {

        @PostMapping(path = "/api/things", consumes = MediaType.APPLICATION_JSON_VALUE)
        Map<String, Object> create(@RequestBody Map<String, Object> body) {
            return Map.of("created", body);
        }

        @PostMapping("/api/admin/things")
        Map<String, Object> adminAction() {
            return Map.of("done", true);
        }

        @GetMapping("/api/reads")
        Map<String, Object> read() {
            return Map.of("read", true);
        }

        @PostMapping("/api/uploads")
        Map<String, Object> upload() {
            throw new MaxUploadSizeExceededException(16);
        }

        @GetMapping("/api/broken")
        Map<String, Object> broken() {
            throw new IllegalStateException("something internal broke");
        }
    }
}
