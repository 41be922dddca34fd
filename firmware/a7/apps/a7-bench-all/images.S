/* bench-cpu as a flat TCM image, for both IO cores. */
    .file "images.S"
    .section .secure.rodata.io_images, "a"
    .balign 4
    .global bench_image, bench_image_end
bench_image:
    .incbin "bench-cpu.bin"
bench_image_end:
