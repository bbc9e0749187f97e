PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_pricing_overrides` (
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`input` real,
	`output` real,
	`cached_input` real,
	`cache_write` real,
	`reasoning` real,
	`per_image` real,
	`per_million_characters` real,
	`per_minute` real,
	`per_thousand_searches` real,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`provider`, `model`)
);
--> statement-breakpoint
INSERT INTO `__new_pricing_overrides`("provider", "model", "input", "output", "cached_input", "cache_write", "reasoning", "updated_at") SELECT "provider", "model", "input", "output", "cached_input", "cache_write", "reasoning", "updated_at" FROM `pricing_overrides`;--> statement-breakpoint
DROP TABLE `pricing_overrides`;--> statement-breakpoint
ALTER TABLE `__new_pricing_overrides` RENAME TO `pricing_overrides`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `images` integer;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `characters` integer;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `audio_seconds` real;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `searches` integer;