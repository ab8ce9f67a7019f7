CREATE TABLE "registry"."events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency" text,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_created" ON "registry"."events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "events_token_refusals" ON "registry"."events" USING btree ("created_at") WHERE ("registry"."events"."body"->>'type') = 'token.refused';