fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let (ast, errors) = tenet_syntax::parse(&text);
    for e in &errors { println!("ERROR {:?}", e); }
    println!("{}", tenet_syntax::dump(&ast));
    match tenet_syntax::format(&text) { Ok(f) => println!("-----\n{f}"), Err(e) => println!("{e:?}") }
}
