package io.tally.common.security;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;

/**
 * A service's own access rules, applied by the shared API filter chain before its defaults ({@code /api/admin/**}
 * needs ADMIN, everything else an authenticated caller). Services declare beans of this type to open their read-only
 * endpoints or to ask for ADMIN on more paths; the rules are code, reviewed with the endpoints they guard.
 */
@FunctionalInterface
public interface ApiAccessRules {

    /** Adds matchers to {@code requests}; {@code properties} carries switches such as {@code open-reads}. */
    void configure(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry requests,
            ApiSecurityProperties properties);
}
