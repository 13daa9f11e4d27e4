package io.tally.api.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates requests that carry {@code X-API-Key}. Keys are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual} (constant time, and independent of the key's length); every configured key is checked so
 * the time does not reveal which one matched. A wrong key answers 401 at once; no header leaves the request to the
 * other mechanisms (bearer token, or anonymous).
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String HEADER = "X-API-Key";

    private record Known(byte[] digest, ApiSecurityProperties.ApiKey key) {
    }

    private final List<Known> keys;
    private final AuthenticationEntryPoint entryPoint;

    ApiKeyAuthenticationFilter(List<ApiSecurityProperties.ApiKey> keys, AuthenticationEntryPoint entryPoint) {
        this.keys = keys.stream().map(key -> new Known(digest(key.key()), key)).toList();
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(HEADER);
        if (presented == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<ApiSecurityProperties.ApiKey> match = find(presented);
        if (match.isEmpty()) {
            SecurityContextHolder.clearContext();
            entryPoint.commence(request, response, new BadCredentialsException("unknown API key"));
            return;
        }
        ApiSecurityProperties.ApiKey key = match.get();
        UsernamePasswordAuthenticationToken authentication = UsernamePasswordAuthenticationToken.authenticated(key.name(),
                null, key.roles().stream().map(role -> new SimpleGrantedAuthority("ROLE_" + role.name())).toList());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private Optional<ApiSecurityProperties.ApiKey> find(String presented) {
        byte[] digest = digest(presented);
        ApiSecurityProperties.ApiKey found = null;
        for (Known known : keys) {
            if (MessageDigest.isEqual(known.digest(), digest) && found == null) {
                found = known.key();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
