import journal from './meta/_journal.json';
import m0000 from './0000_init.sql';
import m0001 from './0001_providers.sql';
import m0002 from './0002_routing.sql';
import m0003 from './0003_usage.sql';
import m0004 from './0004_key_limits.sql';
import m0005 from './0005_admin_ops.sql';
import m0006 from './0006_combo_system_prompt.sql';
import m0007 from './0007_media_units.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002,
m0003,
m0004,
m0005,
m0006,
m0007
    }
  }
  