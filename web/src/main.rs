//! The playground binary Trunk builds: it only mounts the app from the library.

fn main() {
    kmslab_web::start();
}
