CREATE TABLE "routing"."events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency" text NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_created" ON "routing"."events" USING btree ("created_at");