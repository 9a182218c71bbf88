-- What an approval was bounded by besides the band (the applied amount and rate, the product's
-- rate range, the available credit), so a replay decides as the decision did.
ALTER TABLE decisions ADD COLUMN terms TEXT NOT NULL DEFAULT '';
CREATE INDEX decisions_outcome ON decisions (outcome, decided_at);
