package io.tally.jobsapi.web;

import io.tally.common.web.Problems;
import io.tally.jobsapi.ApiProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses request bodies above {@code tally.api.max-request-body} with 413 problem+json, before authentication and
 * before anything parses them: a client must not be able to make the API buffer megabytes of JSON. A body without
 * a Content-Length (chunked) is cut off at the same size, which the JSON reader reports as a 400.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestBodyLimitFilter extends OncePerRequestFilter {

    private final long maxBytes;
    private final JsonMapper json;

    RequestBodyLimitFilter(ApiProperties properties, JsonMapper json) {
        this.maxBytes = properties.maxRequestBody().toBytes();
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE,
                    "The request body has %d bytes; at most %d are accepted".formatted(request.getContentLengthLong(), maxBytes));
            problem.setTitle(Problems.title(HttpStatus.PAYLOAD_TOO_LARGE.value()));
            response.setStatus(HttpStatus.PAYLOAD_TOO_LARGE.value());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.getOutputStream().write(json.writeValueAsBytes(problem));
            return;
        }
        chain.doFilter(request.getContentLengthLong() < 0 ? new Bounded(request, maxBytes) : request, response);
    }

    /** A request whose body stream ends after {@code maxBytes}. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final long maxBytes;

        Bounded(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    if (read >= maxBytes) {
                        return -1;
                    }
                    int b = in.read();
                    if (b >= 0) {
                        read++;
                    }
                    return b;
                }

                @Override
                public boolean isFinished() {
                    return read >= maxBytes || in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
