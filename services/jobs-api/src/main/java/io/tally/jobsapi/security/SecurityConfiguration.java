package io.tally.jobsapi.security;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's access rules: probes and the OpenAPI document are public; {@code /api/admin/**} needs ADMIN; other
 * {@code /api/**} calls need any authenticated caller (GETs of jobs are public with {@code open-reads}). Callers
 * authenticate with {@code X-API-Key}, or with a bearer JWT when Spring Boot configured a {@link JwtDecoder}
 * (it does when {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri} is set).
 * Stateless: no session, no CSRF token (no cookies are issued, so there is nothing for CSRF to ride on).
 * <p>
 * The dashboard under {@value #UI} has its own chain, matched first: browsers cannot put {@code X-API-Key} on a
 * navigation, so a login form exchanges an API key for a session cookie ({@code HttpOnly}, {@code SameSite=Strict}),
 * and every state-changing form carries a CSRF token. The same keys and roles apply: dead letters need ADMIN.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /** Path prefix of the dashboard. */
    static final String UI = "/ui";

    @Bean
    ApiKeys apiKeys(ApiSecurityProperties properties) {
        return new ApiKeys(properties.apiKeys());
    }

    @Bean
    @Order(1)
    SecurityFilterChain dashboardSecurity(HttpSecurity http, ApiKeys keys) throws Exception {
        http.securityMatcher(UI, UI + "/**")
                .authenticationProvider(new ApiKeyLoginProvider(keys))
                .formLogin(form -> form.loginPage(UI + "/login").passwordParameter("apiKey")
                        .defaultSuccessUrl(UI, false).permitAll())
                .logout(logout -> logout.logoutUrl(UI + "/logout").logoutSuccessUrl(UI + "/login?logout").permitAll())
                .httpBasic(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(
                        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                + "frame-ancestors 'none'; form-action 'self'")))
                .authorizeHttpRequests(requests -> {
                    requests.requestMatchers(UI + "/assets/**").permitAll();
                    requests.requestMatchers(UI + "/dead-letters", UI + "/dead-letters/**")
                            .hasRole(ApiSecurityProperties.Role.ADMIN.name());
                    requests.anyRequest().authenticated();
                });
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiSecurityProperties properties,
            ObjectProvider<JwtDecoder> jwtDecoder, JsonMapper json, ApiKeys apiKeys) throws Exception {
        ProblemSecurityHandlers problems = new ProblemSecurityHandlers(json);
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .addFilterBefore(new ApiKeyAuthenticationFilter(apiKeys, problems),
                        AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> {
                    requests.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info",
                            "/actuator/prometheus").permitAll();
                    requests.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                            .permitAll();
                    requests.requestMatchers("/error").permitAll();
                    requests.requestMatchers("/api/admin/**").hasRole(ApiSecurityProperties.Role.ADMIN.name());
                    if (properties.openReads()) {
                        requests.requestMatchers(HttpMethod.GET, "/api/jobs", "/api/jobs/**").permitAll();
                    }
                    requests.anyRequest().authenticated();
                });
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        if (decoder != null) {
            http.oauth2ResourceServer(server -> server
                    .authenticationEntryPoint(problems)
                    .accessDeniedHandler(problems)
                    .jwt(jwt -> jwt.decoder(decoder).jwtAuthenticationConverter(rolesFrom(properties.rolesClaim()))));
        }
        return http.build();
    }

    private static JwtAuthenticationConverter rolesFrom(String claim) {
        JwtGrantedAuthoritiesConverter authorities = new JwtGrantedAuthoritiesConverter();
        authorities.setAuthoritiesClaimName(claim);
        authorities.setAuthorityPrefix("ROLE_");
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(authorities);
        return converter;
    }
}
