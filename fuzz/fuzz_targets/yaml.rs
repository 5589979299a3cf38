//! Any text through YAML's two readers: where the block reader accepts a document,
//! saphyr must read it without error into the same nodes, spans included.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenet_evidence::Limits;
use tenet_evidence::fuzzing::yaml_readers_agree;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let limits = if which & 1 == 0 {
        Limits::default()
    } else {
        Limits { max_file_bytes: 1 << 16, max_depth: 4, max_documents: 3, max_nodes: 100 }
    };
    let base = usize::from(which >> 1);
    if let Err(readings) = yaml_readers_agree(text, base, &limits) {
        panic!("the readers disagree on {text:?}\n{readings}");
    }
});
