package dev.streamfold.enrichment.pii;

/**
 * Masks an e-mail address before it leaves the enrichment service: downstream consumers may show which customer
 * ordered ({@code j***@example.com}) but must not learn the address itself. The domain stays, it carries no
 * personal data worth hiding and is useful for analytics.
 */
public final class EmailMasker {

    static final String MASK = "***";

    private EmailMasker() {
    }

    public static String mask(String email) {
        if (email == null) {
            return MASK;
        }
        int at = email.lastIndexOf('@');
        if (at <= 0) {
            // Not an address we understand: reveal nothing rather than guess which part is personal.
            return MASK;
        }
        return email.charAt(0) + MASK + email.substring(at);
    }
}
