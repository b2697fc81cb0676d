-- The operational database of the shop: the source of truth that ingest-service captures and
-- reconciliation-service checks against. Money is in minor units (cents), never floating point.
CREATE TABLE IF NOT EXISTS customers (
    id         BIGINT PRIMARY KEY,
    name       TEXT        NOT NULL,
    email      TEXT        NOT NULL,
    country    CHAR(2)     NOT NULL,
    tier       TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS products (
    id          BIGINT PRIMARY KEY,
    name        TEXT        NOT NULL,
    category    TEXT        NOT NULL,
    price       BIGINT      NOT NULL CHECK (price >= 0),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orders (
    id          BIGSERIAL PRIMARY KEY,
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    product_id  BIGINT      NOT NULL REFERENCES products (id),
    quantity    INT         NOT NULL CHECK (quantity > 0),
    amount      BIGINT      NOT NULL CHECK (amount >= 0),
    currency    CHAR(3)     NOT NULL,
    status      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS orders_created_at ON orders (created_at);

-- Order change events carry a version read from the row (updated_at in microseconds), so that a row
-- read by a snapshot and the streamed change that produced it get the same event id. That needs
-- updated_at to move forward on every change, whatever the application sets: this trigger does it.
CREATE OR REPLACE FUNCTION streamfold_orders_version() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := greatest(clock_timestamp(), OLD.updated_at + interval '1 microsecond');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER orders_version BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION streamfold_orders_version();

-- A DELETE's change event must still say whose order it was and when it was placed (its key and
-- window): logical replication sends the whole deleted row only with REPLICA IDENTITY FULL.
ALTER TABLE orders REPLICA IDENTITY FULL;
