package io.tally.common.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import io.tally.common.web.Problems;

/**
 * Writes 401 and 403 as {@code application/problem+json}, like every other error of the services. The filter chain
 * runs before MVC, so MVC's ProblemDetail handling does not see these.
 */
public class ProblemSecurityHandlers implements AuthenticationEntryPoint, AccessDeniedHandler {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        response.setHeader("WWW-Authenticate", "ApiKey header=\"X-API-Key\", Bearer");
        write(request, response, HttpStatus.UNAUTHORIZED,
                "authentication required: send a valid X-API-Key header or a bearer token (" + e.getMessage() + ")");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        write(request, response, HttpStatus.FORBIDDEN, "the caller's roles do not allow " + request.getMethod() + " "
                + request.getRequestURI());
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail) throws IOException {
        Problems.write(response, status.value(), detail, request.getRequestURI());
    }
}
