package io.tally.common.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may call a Tally service's HTTP API, bound from {@code tally.api.security.*} in every web service (the same
 * names the jobs API has always used). Bearer JWTs are accepted in addition when Spring Boot's
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri} is set.
 *
 * @param apiKeys    API keys accepted in the {@code X-API-Key} header; each has a name (the caller in logs and events),
 *                   the secret key (from the environment or a secret, never logged) and its roles
 * @param openReads  whether the reads a service offers to open need no credentials (the jobs API: GETs under
 *                   {@code /api/jobs}); admin endpoints stay guarded
 * @param rolesClaim JWT claim holding the caller's roles (a list such as {@code ["USER","ADMIN"]})
 */
@Validated
@ConfigurationProperties("tally.api.security")
public record ApiSecurityProperties(
        @DefaultValue List<@Valid ApiKey> apiKeys,
        @DefaultValue("false") boolean openReads,
        @NotBlank @DefaultValue("roles") String rolesClaim) {

    /**
     * One API key.
     *
     * @param name  caller name recorded as {@code requestedBy} and in the audit log
     * @param key   the secret; at least 16 characters
     * @param roles {@code USER} and/or {@code ADMIN}
     */
    public record ApiKey(@NotBlank String name, @NotBlank @Size(min = 16) String key, @NotEmpty Set<Role> roles) {

        @Override
        public String toString() {
            // Keeps the secret out of logs and configuration-error messages.
            return "ApiKey[name=" + name + ", roles=" + roles + "]";
        }
    }

    /** What a caller may do: USER triggers and reads, ADMIN also uses {@code /api/admin/**} and operator actions. */
    public enum Role { USER, ADMIN }
}
