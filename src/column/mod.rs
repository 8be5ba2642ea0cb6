//! The publicity column (冬训专栏, S9): articles that station admins write and the committee
//! reviews and publishes, read by anyone without logging in at `/column`, carried by RSS and Atom
//! feeds, exported as Hexo posts and imported from Hexo/Jekyll posts and feeds, with a log of
//! the outlets (微溧水, 学习强国, …) that carried each article.

pub mod feed_read;
pub mod model;
pub mod posts;
