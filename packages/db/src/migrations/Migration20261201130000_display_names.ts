import { Migration } from '@mikro-orm/migrations';

/**
 * Roles' names in other languages ({ "zh-CN": "服务台坐席" }), beside the plain name: the web app
 * shows the one in the page's language, and the plain name where none is given.
 */
export class Migration20261201130000_display_names extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table role add column names jsonb not null default '{}'::jsonb;`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table role drop column if exists names;');
  }
}
