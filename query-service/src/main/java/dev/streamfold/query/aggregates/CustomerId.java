package dev.streamfold.query.aggregates;

/** Customer ids as the topics key them: positive decimal numbers without leading zeros or sign. */
final class CustomerId {

    private CustomerId() {
    }

    /**
     * @param name what the id is called in the request, for the message
     * @return the id in canonical decimal form ({@code 007} becomes {@code 7})
     * @throws InvalidQueryException if the text is no positive decimal id
     */
    static String canonical(String name, String text) {
        long id;
        try {
            id = text.chars().allMatch(c -> c >= '0' && c <= '9') ? Long.parseLong(text) : -1;
        } catch (NumberFormatException e) {
            id = -1;
        }
        if (id <= 0) {
            throw new InvalidQueryException(name + " must be a positive decimal customer id, not '" + text + "'");
        }
        return Long.toString(id);
    }
}
